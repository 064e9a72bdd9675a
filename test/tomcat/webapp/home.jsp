<%@ page contentType="text/plain; charset=UTF-8" session="false" %><%@ include file="/WEB-INF/jsp/node.jspf" %><%
  // A logged-in user's counter goes up by one per request; a user whose session is gone is a guest again.
  HttpSession s = request.getSession(false);
  Object user = s == null ? null : s.getAttribute("user");
  if (user != null) {
    Integer before = (Integer) s.getAttribute("counter");
    int counter = (before == null ? 0 : before.intValue()) + 1;
    s.setAttribute("counter", Integer.valueOf(counter));
    response.setHeader("X-Lrroll-User", String.valueOf(user));
    response.setHeader("X-Lrroll-Counter", String.valueOf(counter));
  }
%>Welcome to the test portal (build 1) on <%= NODE %>
