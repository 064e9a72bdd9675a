<%@ page contentType="text/plain; charset=UTF-8" session="false" %><%@ include file="/WEB-INF/jsp/node.jspf" %><%
  // "Logs in": the user and a counter live in the HTTP session, so a lost session shows as a missing counter.
  String user = request.getParameter("user");
  HttpSession s = request.getSession(true);
  s.setAttribute("user", user == null || user.isEmpty() ? "anonymous" : user);
  s.setAttribute("counter", Integer.valueOf(0));
  response.setHeader("X-Lrroll-User", String.valueOf(s.getAttribute("user")));
  response.setHeader("X-Lrroll-Counter", "0");
%>logged in on <%= NODE %>
