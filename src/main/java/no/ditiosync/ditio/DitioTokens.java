package no.ditiosync.ditio;

import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.apache.hc.core5.http.HttpEntity;

import java.io.EOFException;
import java.io.InputStream;
import java.util.Map;

/**
 * The bean {@code ditioToken} of the token and page routes: each company's API client has its own
 * identity server URL and its own {@link DitioTokenCache}; the route's {@code company} variable
 * says whose token a call needs, so two companies never share a token.
 */
public final class DitioTokens {

    /** One company's API client. */
    public record Client(String identityBase, DitioTokenCache cache) {
    }

    private final Map<String, Client> clients;

    /** @param clients company key → its API client */
    public DitioTokens(Map<String, Client> clients) {
        this.clients = Map.copyOf(clients);
    }

    private Client of(String company) {
        Client client = clients.get(company);
        if (client == null) {
            throw new IllegalStateException("No Ditio API client is configured for company '" + company + "'");
        }
        return client;
    }

    public DitioTokenCache cache(String company) {
        return of(company).cache();
    }

    /** The token endpoint of the company's identity server. */
    public String tokenUri(@Variable("company") String company) {
        return of(company).identityBase() + "/connect/token";
    }

    public boolean needsRefresh(@Variable("company") String company) {
        return cache(company).needsRefresh();
    }

    public HttpEntity tokenRequestBody(@Variable("company") String company) {
        return cache(company).tokenRequestBody();
    }

    /** The answer's Content-Length and Transfer-Encoding: with neither, only its JSON can show that it was cut short. */
    public void accept(String company, int status, InputStream body, String contentLength, String transferEncoding)
            throws EOFException {
        cache(company).accept(status, body, contentLength == null && transferEncoding == null);
    }

    /**
     * Sets the Authorization header of a page call. Set here rather than returned to a setHeader step:
     * Camel logs the value a bean method returns at TRACE (MethodInfo), and that would be the token.
     */
    public void authorize(@Variable("company") String company, Exchange exchange) {
        exchange.getMessage().setHeader("Authorization", cache(company).authorization());
    }

    public void invalidate(@Variable("company") String company) {
        cache(company).invalidate();
    }

    @Override
    public String toString() {
        return "DitioTokens" + clients.keySet();
    }
}
