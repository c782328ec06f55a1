package no.ditiosync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on loopback in front of the embedded PostgreSQL that can lose the connection of the
 * delivery transaction around its COMMIT, the way a network failure or a database failover does:
 * either before the server received the COMMIT (the server rolls back) or after the server
 * committed and before its answer reached the client (the client gets an I/O error for a commit
 * that took). Optionally the state DB then stays unreachable (every connection cut, new ones
 * refused) until {@link #restore}.
 * <p>
 * The delivery transaction is told by what it sends: the connection that inserted into
 * drop_outbox ({@code INSERT INTO drop_outbox}, only the delivery does) and then commits. Only
 * the first such commit is cut. Plain protocol, no TLS, every statement sent as text ({@link #url}).
 */
public final class StateDbProxy implements AutoCloseable {

    public enum Cut {
        /** The COMMIT is never sent on: the server sees its client go mid-transaction and rolls back. */
        BEFORE_SERVER_COMMIT,
        /** The server's answer to the COMMIT ("COMMIT" command complete) is held back: it committed, the client never hears so. */
        AFTER_SERVER_COMMIT
    }

    private static final byte[] OUTBOX_INSERT = "INSERT INTO drop_outbox".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);
    /** The server's CommandComplete tag of a commit, NUL-terminated. */
    private static final byte[] COMMIT_COMPLETE = "COMMIT\0".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket listener;
    private final int serverPort;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cutDone = new AtomicBoolean();
    private volatile Cut cut;
    private volatile boolean downAfterCut;
    private volatile boolean down;

    public StateDbProxy(int serverPort) throws IOException {
        this.serverPort = serverPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "state-db-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** The proxy for the embedded PostgreSQL's database of {@code db}. */
    public static StateDbProxy forDatabase() throws IOException {
        return new StateDbProxy(TestDatabase.Postgres.server().getPort());
    }

    /** {@code db}'s URL through this proxy. */
    public String url(TestDatabase db) {
        String name = db.url().substring(db.url().lastIndexOf('/') + 1);
        // no server-side prepared statements: every statement's text, COMMIT included, is sent each time
        return "jdbc:postgresql://127.0.0.1:" + listener.getLocalPort() + "/" + name + "?sslmode=disable&prepareThreshold=0";
    }

    /**
     * Cuts the next delivery commit as {@code how}; with {@code stateDbDownAfterwards} every
     * connection through the proxy is cut with it and new ones are refused until {@link #restore}.
     */
    public void cutDeliveryCommit(Cut how, boolean stateDbDownAfterwards) {
        this.downAfterCut = stateDbDownAfterwards;
        this.cut = how;
    }

    /** Whether the delivery commit was cut. */
    public boolean cutDone() {
        return cutDone.get();
    }

    /** The state DB reachable again (nothing more is cut). */
    public void restore() {
        cut = null;
        down = false;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (down) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                Link link = new Link(client, server);
                links.add(link);
                link.start();
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** One client connection and its connection to the server, pumped both ways. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        private volatile boolean inDelivery;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            pump("state-db-proxy-up", client, server, this::cutsBeforeTheServer);
            pump("state-db-proxy-down", server, client, this::cutsTheAnswer);
        }

        /** Client to server: notes the delivery's outbox insert; true for the COMMIT that is never to arrive. */
        private boolean cutsBeforeTheServer(byte[] chunk, int length) {
            if (contains(chunk, length, OUTBOX_INSERT)) {
                inDelivery = true;
            }
            return inDelivery && cut == Cut.BEFORE_SERVER_COMMIT && contains(chunk, length, COMMIT);
        }

        /** Server to client: true for the server's answer to the delivery's COMMIT (it has committed). */
        private boolean cutsTheAnswer(byte[] chunk, int length) {
            return inDelivery && cut == Cut.AFTER_SERVER_COMMIT && contains(chunk, length, COMMIT_COMPLETE);
        }

        /** Copies {@code from} to {@code to} until either goes, or until {@code cutsHere} says to cut there. */
        private void pump(String name, Socket from, Socket to, ChunkTest cutsHere) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[64 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        if (!cutDone.get() && cutsHere.test(buffer, n)) {
                            cutHere();
                            return;
                        }
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // one side went: so does the other
                } finally {
                    close();
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        private void cutHere() {
            cutDone.set(true);
            close();
            if (downAfterCut) {
                down = true;
                links.forEach(Link::close);
            }
        }

        void close() {
            closeQuietly(client);
            closeQuietly(server);
            links.remove(this);
        }
    }

    @FunctionalInterface
    private interface ChunkTest {
        boolean test(byte[] chunk, int length);
    }

    private static boolean contains(byte[] buffer, int length, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (buffer[i + j] != what[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        links.forEach(Link::close);
    }
}
