package no.ditiosync.ditio;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Secrets a server echoes back are masked in what the application quotes of its answer. */
class KnownSecretsTest {

    /**
     * An error text is cut to 300 characters for the run's message: a token it quotes across the cut is
     * masked whole, not left with its first characters shown.
     */
    @Test
    void aTokenQuotedAcrossTheCutOfAnErrorTextIsMaskedWhole() {
        String token = "Tk4echoedAccessToken0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH";
        KnownSecrets.addToken(token);

        String detail = DitioPager.errorDetail("{\"message\":\"forbidden " + "x".repeat(270) + " for Bearer " + token + "\"}");

        assertThat(detail).endsWith(" for Bearer ***").doesNotContain(token.substring(0, 8));
    }

    @Test
    void theClientSecretAsAFormEncodesItIsMaskedToo() {
        KnownSecrets.add("Zx9 secret+with/odd&chars");

        assertThat(KnownSecrets.masked("client_secret=Zx9+secret%2Bwith%2Fodd%26chars&scope=reportingapiv1"))
                .isEqualTo("client_secret=***&scope=reportingapiv1");
        assertThat(KnownSecrets.masked("short ones stay: abc")).isEqualTo("short ones stay: abc");
    }
}
