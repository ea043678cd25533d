package dev.automutex.test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for a Redis server on TLS, made for one test run: a certificate authority
 * and a server certificate it signed for {@code 127.0.0.1} and {@code localhost}, with
 * its private key, as the PEM files {@code redis-server} reads. Made with the JDK's own
 * {@code keytool}, so they need nothing but the JDK that runs the tests; valid for two
 * days.
 *
 * @since 0.1.0
 */
public final class RedisTlsCertificates {

	private static final String STORE_PASSWORD = "automutex-test";

	private final Path caCertificate;

	private final Path serverCertificate;

	private final Path serverKey;

	private RedisTlsCertificates(Path dir) {
		this.caCertificate = dir.resolve("ca.crt");
		this.serverCertificate = dir.resolve("server.crt");
		this.serverKey = dir.resolve("server.key");
	}

	/**
	 * Make a certificate authority and a server certificate in a directory.
	 * @param dir where to write {@code ca.crt}, {@code server.crt} and {@code server.key}
	 * (and the key stores they come from)
	 * @return the certificates
	 * @throws IllegalStateException if {@code keytool} is missing or fails
	 */
	public static RedisTlsCertificates create(Path dir) {
		RedisTlsCertificates certificates = new RedisTlsCertificates(dir);
		Path ca = dir.resolve("ca.p12");
		Path server = dir.resolve("server.p12");
		Path request = dir.resolve("server.csr");
		keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
				"CN=AutoMutex test CA", "-ext", "bc:c", "-validity", "2", "-keystore", ca.toString());
		keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
				"-validity", "2", "-keystore", server.toString());
		keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-file", request.toString());
		keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-infile", request.toString(), "-outfile",
				certificates.serverCertificate.toString(), "-rfc", "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext",
				"eku=serverAuth", "-validity", "2");
		try {
			KeyStore caStore = load(ca);
			writePem(certificates.caCertificate, "CERTIFICATE", caStore.getCertificate("ca").getEncoded());
			Key key = load(server).getKey("server", STORE_PASSWORD.toCharArray());
			writePem(certificates.serverKey, "PRIVATE KEY", key.getEncoded());
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new IllegalStateException("Could not write the test certificates to " + dir, ex);
		}
		return certificates;
	}

	/**
	 * The certificate authority's certificate, PEM: what a client must trust.
	 * @return the file
	 */
	public Path caCertificate() {
		return this.caCertificate;
	}

	/**
	 * The server's certificate, PEM, for {@code 127.0.0.1} and {@code localhost}.
	 * @return the file
	 */
	public Path serverCertificate() {
		return this.serverCertificate;
	}

	/**
	 * The server's private key, PEM (PKCS #8).
	 * @return the file
	 */
	public Path serverKey() {
		return this.serverKey;
	}

	/**
	 * Sockets that trust this certificate authority alone.
	 * @return the socket factory
	 */
	public SSLSocketFactory socketFactory() {
		try (InputStream in = Files.newInputStream(this.caCertificate)) {
			Certificate ca = CertificateFactory.getInstance("X.509").generateCertificate(in);
			KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
			trusted.load(null, null);
			trusted.setCertificateEntry("ca", ca);
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(trusted);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			return context.getSocketFactory();
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new IllegalStateException("Could not trust " + this.caCertificate, ex);
		}
	}

	private static KeyStore load(Path file) throws IOException, GeneralSecurityException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(file)) {
			store.load(in, STORE_PASSWORD.toCharArray());
		}
		return store;
	}

	private static void writePem(Path file, String type, byte[] der) throws IOException {
		String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
		Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
				StandardCharsets.US_ASCII);
	}

	private static void keytool(String... arguments) {
		Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
		if (!Files.isExecutable(keytool)) {
			throw new IllegalStateException("The TLS tests make their certificates with the JDK's keytool, and "
					+ keytool + " is missing: run the tests on a full JDK");
		}
		// The JVM options make each keytool run start in half the time.
		List<String> command = new ArrayList<>(
				List.of(keytool.toString(), "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
		command.addAll(List.of(arguments));
		command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-noprompt"));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException("keytool " + String.join(" ", arguments) + " failed: " + output);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run " + keytool, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while making the test certificates", ex);
		}
	}

}
