package dev.charrnn.system;

import java.io.IOException;
import java.io.Writer;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Errors Tomcat answers itself, before a request reaches Spring (an encoded slash or a NUL in
 * the path, say), as problem+json like every other error instead of an HTML page.
 */
public class ProblemJsonErrorValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write("{\"type\":\"about:blank\",\"status\":" + status + ",\"title\":\"" + title(status)
                        + "\",\"detail\":\"The server rejected the request before reading it: check the URL for "
                        + "encoded slashes, control characters or malformed escapes.\"}");
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException ignored) {
            // the client is gone; nothing more to say
        }
    }

    private static String title(int status) {
        return status == 400 ? "Bad Request" : status >= 500 ? "Internal Server Error" : "Error " + status;
    }
}
