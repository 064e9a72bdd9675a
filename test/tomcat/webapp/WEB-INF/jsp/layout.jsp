<%@ page contentType="text/plain; charset=UTF-8" session="false" %><%@ include file="/WEB-INF/jsp/node.jspf" %>ok <%= NODE %>
