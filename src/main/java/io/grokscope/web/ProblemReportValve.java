package io.grokscope.web;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.res.StringManager;

/**
 * Tomcat's own error page, for requests it refuses before any servlet sees them (an encoded slash in the path, a
 * malformed request line), written as problem+json instead of HTML. Tomcat creates it by class name, hence public.
 */
public class ProblemReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String title = StringManager.getManager(ErrorReportValve.class).getString("http." + status + ".reason");
        if (title == null || title.startsWith("http.")) {
            title = status >= 500 ? "Server error" : "Bad request";
        }
        String instance = request.getDecodedRequestURI() == null ? "" : request.getDecodedRequestURI();
        String body = "{\"type\":\"about:blank\",\"title\":\"" + escape(title) + "\",\"status\":" + status
                + ",\"detail\":\"the request was refused by the HTTP server before reaching the API\","
                + "\"instance\":\"" + escape(instance.startsWith("/") ? instance : "/" + instance) + "\"}";
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone; nothing left to tell the client
        }
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
