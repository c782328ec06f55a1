package no.ditiosync.ditio;

import org.apache.camel.Variable;

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

    public String tokenRequestBody(@Variable("company") String company) {
        return cache(company).tokenRequestBody();
    }

    public void accept(String company, int status, InputStream body) {
        cache(company).accept(status, body);
    }

    public String authorization(@Variable("company") String company) {
        return cache(company).authorization();
    }

    public void invalidate(@Variable("company") String company) {
        cache(company).invalidate();
    }

    @Override
    public String toString() {
        return "DitioTokens" + clients.keySet();
    }
}
