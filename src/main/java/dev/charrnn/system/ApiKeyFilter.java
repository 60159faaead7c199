package dev.charrnn.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Guards the requests that change state with the configured API key (constant-time comparison).
 * Reading and generating stay open unless {@code charrnn.security.protect-reads} is set.
 */
@Component
public class ApiKeyFilter extends OncePerRequestFilter {

    /** POSTs that only read or generate: open like GETs. Everything under /v1 reads or generates. */
    private static final Pattern GENERATION = Pattern.compile(
            "/api/models/[^/]+/(generate|generate/stream|score|gradient-flow|activations)|/v1/.*");

    private final CharRnnProperties.Security security;
    private final byte[] key;

    public ApiKeyFilter(CharRnnProperties properties) {
        this.security = properties.security();
        this.key = security.enabled() ? security.apiKey().getBytes(StandardCharsets.UTF_8) : new byte[0];
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !security.enabled() || !guards(request.getMethod(), path, security.protectReads());
    }

    /**
     * Whether the key, when the server sets one, guards a request: every write under /api/, and
     * the reads (all of /v1/ among them) too with protect-reads. Also asked of the API docs' path templates
     * ({name} matches like a name), so the docs declare the security this filter applies.
     */
    static boolean guards(String method, String path, boolean protectReads) {
        return (path.startsWith("/api/") || path.startsWith("/v1/"))
                && (protectReads || !(isRead(method) || GENERATION.matcher(path).matches()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (MessageDigest.isEqual(key, presented(request).getBytes(StandardCharsets.UTF_8))) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpStatus.UNAUTHORIZED.value());
        response.setHeader("WWW-Authenticate", "Bearer");
        response.setCharacterEncoding("UTF-8");
        if (request.getRequestURI().startsWith(request.getContextPath() + "/v1/")) { // the OpenAI error envelope
            response.setContentType("application/json");
            response.getWriter().write("{\"error\":{\"message\":\"Missing or wrong API key: send 'Authorization: Bearer "
                    + "<key>' or 'X-API-Key: <key>' (charrnn.security.api-key).\",\"type\":\"invalid_request_error\",\"param\":null,"
                    + "\"code\":\"invalid_api_key\"}}");
            return;
        }
        response.setContentType("application/problem+json");
        response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,\"detail\":"
                + "\"This request needs the API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>' "
                + "(charrnn.security.api-key).\",\"instance\":\"" + request.getRequestURI().replace("\"", "") + "\"}");
    }

    private static String presented(HttpServletRequest request) {
        String header = request.getHeader("X-API-Key");
        if (header != null) {
            return header;
        }
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return "";
    }

    private static boolean isRead(String method) {
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
    }
}
