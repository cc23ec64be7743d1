package dev.sluice.server.auth;

import dev.sluice.core.DaemonThreads;
import dev.sluice.core.PemKeys;
import dev.sluice.discovery.FileSetWatcher;
import dev.sluice.server.mesh.CertificateAuthority;
import dev.sluice.server.mesh.WorkloadCertificate;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for the control plane's gRPC ports (xDS and rate limits), with a server certificate that
 * changes without a restart. Either Sluice's own CA issues it ({@link Options#dir}: {@code ca.pem},
 * the bundle Envoys verify against, and {@code ca-key.pem}, created on first use and shared by
 * replicas like the mesh CA), renewed at two thirds of its lifetime; or the user supplies the
 * certificate and key files, read again whenever they change (cert-manager, Vault agent, Kubernetes
 * secret mounts). With a client CA, clients may also present certificates (mutual TLS), or must.
 *
 * <p>grpc-java's {@link AdvancedTlsX509KeyManager} and {@link AdvancedTlsX509TrustManager} swap the
 * material under a running server: new handshakes use it, open connections carry on. Files are
 * watched for changes rather than polled by those classes, whose polling period is at least a
 * minute: a rotated certificate is served at once, and one whose key does not match is refused.
 */
public final class ControlPlaneTls implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneTls.class);

  /** The control-plane CA's trust domain: its root names it; its leaves carry DNS names only. */
  public static final String TRUST_DOMAIN = "sluice-control-plane";

  public static final Duration SERVER_CERT_TTL = Duration.ofDays(30);

  /**
   * Quiet time after a change to user-supplied files before they are read again (tools write key
   * and certificate apart).
   */
  static final Duration RELOAD_DEBOUNCE = Duration.ofMillis(200);

  /**
   * How to serve TLS.
   *
   * @param dir the built-in CA's folder; or else
   * @param certFile the server certificate chain (PEM) and
   * @param keyFile its key (PEM: PKCS#8, PKCS#1 or SEC1)
   * @param names host names and addresses the built-in CA's server certificate is issued for
   * @param clientCa when present, clients may present a certificate issued by it (mutual TLS)
   * @param requireClientCertificate refuse clients without one
   */
  public record Options(
      Optional<Path> dir,
      Optional<Path> certFile,
      Optional<Path> keyFile,
      List<String> names,
      Optional<Path> clientCa,
      boolean requireClientCertificate,
      Duration serverCertTtl) {
    public Options {
      names = List.copyOf(names);
    }

    public static Options builtIn(Path dir, List<String> names) {
      return new Options(
          Optional.of(dir),
          Optional.empty(),
          Optional.empty(),
          names,
          Optional.empty(),
          false,
          SERVER_CERT_TTL);
    }

    public static Options files(Path certFile, Path keyFile) {
      return new Options(
          Optional.empty(),
          Optional.of(certFile),
          Optional.of(keyFile),
          List.of(),
          Optional.empty(),
          false,
          SERVER_CERT_TTL);
    }

    public Options withClientCa(Path file, boolean required) {
      return new Options(dir, certFile, keyFile, names, Optional.of(file), required, serverCertTtl);
    }

    /** The lifetime of the built-in CA's server certificates (renewed at two thirds of it). */
    public Options withServerCertTtl(Duration ttl) {
      return new Options(dir, certFile, keyFile, names, clientCa, requireClientCertificate, ttl);
    }

    /**
     * Never empty: loopback names are always included so that local clients can verify the server.
     */
    public static List<String> defaultNames() {
      return List.of("localhost", "127.0.0.1", "::1");
    }
  }

  private final Options options;
  private final AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
  private final Optional<AdvancedTlsX509TrustManager> clients;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> DaemonThreads.create(r, "sluice-tls"));
  private final Optional<CertificateAuthority> ca;
  private final Clock clock;
  private volatile WorkloadCertificate current;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicLong reloadFailures = new AtomicLong();

  private ControlPlaneTls(Options options, Clock clock)
      throws IOException, GeneralSecurityException {
    this.options = options;
    this.clock = clock;
    if (options.dir().isPresent()) {
      ca = Optional.of(CertificateAuthority.loadOrCreate(options.dir().get(), TRUST_DOMAIN, clock));
      renew();
    } else {
      ca = Optional.empty();
      if (options.certFile().isEmpty()) {
        throw new IllegalArgumentException("a TLS certificate file is needed");
      }
      if (options.keyFile().isEmpty()) {
        throw new IllegalArgumentException("a TLS key file is needed");
      }
      loadFiles();
    }
    if (options.clientCa().isPresent()) {
      AdvancedTlsX509TrustManager tm =
          AdvancedTlsX509TrustManager.newBuilder()
              .setVerification(
                  AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
              .build();
      tm.updateTrustCredentials(options.clientCa().get().toFile());
      clients = Optional.of(tm);
    } else {
      clients = Optional.empty();
    }
    Set<Path> watched = new HashSet<>();
    options.certFile().ifPresent(watched::add);
    options.keyFile().ifPresent(watched::add);
    options.clientCa().ifPresent(watched::add);
    if (!watched.isEmpty()) {
      FileSetWatcher watcher = new FileSetWatcher(RELOAD_DEBOUNCE, this::reloadLogged);
      watcher.watch(watched);
      closeables.add(watcher);
    }
  }

  /**
   * The user's certificate and key, checked to belong together: a certificate written before its
   * key must not be served with the old key (every handshake would fail), so the old pair stays
   * until both match.
   */
  private void loadFiles() throws IOException, GeneralSecurityException {
    Path certFile = options.certFile().get();
    Path keyFile = options.keyFile().get();
    X509Certificate[] chain;
    PrivateKey key;
    try (var in = Files.newInputStream(certFile)) {
      chain = CertificateUtils.getX509Certificates(in);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new GeneralSecurityException(
          certFile + ": not a PEM certificate chain (" + e.getClass().getSimpleName() + ")");
    }
    try {
      key = PemKeys.privateKey(Files.readString(keyFile));
    } catch (IOException | RuntimeException e) {
      // no exception message: a reader's might quote the key
      throw new GeneralSecurityException(
          keyFile + ": not a PEM private key (" + e.getClass().getSimpleName() + ")");
    } catch (PemKeys.UnreadableKeyException e) {
      throw new GeneralSecurityException(keyFile + ": " + e.getMessage());
    }
    if (chain.length == 0 || !belongTogether(key, chain[0])) {
      throw new GeneralSecurityException(
          keyFile + ": the private key does not belong to the certificate in " + certFile);
    }
    keys.updateIdentityCredentials(chain, key);
  }

  private void reloadLogged() {
    try {
      if (options.certFile().isPresent()) {
        loadFiles();
      }
      if (options.clientCa().isPresent()) {
        clients.get().updateTrustCredentials(options.clientCa().get().toFile());
      }
      LOG.info("control-plane TLS files reloaded");
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      reloadFailures.incrementAndGet();
      LOG.error(
          "control-plane TLS files not reloaded, the previous ones keep serving: {}",
          e.getMessage());
    }
  }

  private static boolean belongTogether(PrivateKey key, X509Certificate cert) {
    try {
      String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      byte[] challenge = "sluice-control-plane-tls".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Reloads of user-supplied files that failed (the previous material kept serving). */
  public long reloadFailures() {
    return reloadFailures.get();
  }

  /**
   * Loads or creates the material and starts watching it.
   *
   * @throws IllegalArgumentException naming the file when the material cannot be used
   */
  public static ControlPlaneTls start(Options options, Clock clock) {
    try {
      return new ControlPlaneTls(options, clock);
    } catch (IOException | GeneralSecurityException e) {
      // the message names the file; the key's content never reaches it
      throw new IllegalArgumentException(
          "cannot serve TLS: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** For a gRPC server: this server's certificate, and client certificates if configured. */
  public ServerCredentials credentials() {
    TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder().keyManager(keys);
    clients.ifPresent(
        tm ->
            b.trustManager(tm)
                .clientAuth(
                    options.requireClientCertificate()
                        ? TlsServerCredentials.ClientAuth.REQUIRE
                        : TlsServerCredentials.ClientAuth.OPTIONAL));
    return b.build();
  }

  /** Whether clients may authenticate with certificates. */
  public boolean verifiesClients() {
    return clients.isPresent();
  }

  /** The file Envoys verify this server against, when Sluice's CA issued its certificate. */
  public Optional<Path> caFile() {
    return options.dir().map(d -> d.resolve(CertificateAuthority.CERT_FILE));
  }

  /**
   * The built-in CA's current server certificate (for tests and /status); empty with user files.
   */
  public Optional<WorkloadCertificate> current() {
    return Optional.ofNullable(current);
  }

  public String describe() {
    return options
            .dir()
            .map(d -> "TLS (certificate from Sluice's CA in " + d + " for " + options.names() + ")")
            .orElseGet(() -> "TLS (certificate " + options.certFile().get() + ")")
        + options
            .clientCa()
            .map(
                c ->
                    ", client certificates from "
                        + c
                        + (options.requireClientCertificate() ? " required" : " accepted"))
            .orElse("");
  }

  /** Issues the built-in CA's server certificate and schedules the next renewal. */
  // its task reports its own failures; nothing waits for it
  @SuppressWarnings("FutureReturnValueIgnored")
  private void renew() throws GeneralSecurityException {
    WorkloadCertificate issued = ca.get().issueServer(options.names(), options.serverCertTtl());
    keys.updateIdentityCredentials(chain(issued), privateKey(issued.privateKeyPem()));
    current = issued;
    Instant next = CertificateAuthority.rotationTime(issued);
    long delay = Math.max(1_000, Duration.between(clock.instant(), next).toMillis());
    scheduler.schedule(this::renewLogged, delay, TimeUnit.MILLISECONDS);
  }

  // its task reports its own failures; nothing waits for it
  @SuppressWarnings("FutureReturnValueIgnored")
  private void renewLogged() {
    try {
      renew();
      LOG.info("control-plane TLS certificate renewed (serial {})", current.serialHex());
    } catch (GeneralSecurityException | RuntimeException e) {
      LOG.error(
          "cannot renew the control-plane TLS certificate ({}); retrying in a minute",
          e.getClass().getSimpleName());
      scheduler.schedule(this::renewLogged, 1, TimeUnit.MINUTES);
    }
  }

  private static X509Certificate[] chain(WorkloadCertificate c) throws GeneralSecurityException {
    CertificateFactory f = CertificateFactory.getInstance("X.509");
    return new X509Certificate[] {
      (X509Certificate)
          f.generateCertificate(
              new ByteArrayInputStream(c.certificatePem().getBytes(StandardCharsets.US_ASCII)))
    };
  }

  private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
    try {
      return PemKeys.privateKey(pem);
    } catch (PemKeys.UnreadableKeyException e) {
      throw new GeneralSecurityException("the issued certificate's " + e.getMessage());
    }
  }

  @Override
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("closing a TLS file watcher: {}", e.toString());
      }
    }
    scheduler.shutdownNow();
  }
}
