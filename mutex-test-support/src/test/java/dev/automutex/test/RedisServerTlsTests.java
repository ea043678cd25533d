package dev.automutex.test;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RedisServer#startWithTls()}: TLS only, with certificates it made, and the same
 * after a restart.
 */
class RedisServerTlsTests {

	@Test
	void tlsServerAnswersOverTlsOnlyAndAgainAfterARestart() throws Exception {
		try (RedisServer server = RedisServer.startWithTls()) {
			RedisTlsCertificates certificates = server.tls().orElseThrow();
			assertThat(Files.readString(certificates.caCertificate())).startsWith("-----BEGIN CERTIFICATE-----");
			assertThat(Files.readString(certificates.serverKey())).startsWith("-----BEGIN PRIVATE KEY-----");
			assertThat(server.command("PING")).isEqualTo("+PONG");
			assertThat(server.reply("CONFIG GET port")).isEqualTo("port\n0");
			assertThat(server.reply("CONFIG GET tls-port")).isEqualTo("tls-port\n" + server.port());
			assertThat(plainPing(server)).as("a plain client on the TLS port").isNotEqualTo("+PONG");
			server.command("SET k v");
			server.restart();
			assertThat(server.command("EXISTS k")).isEqualTo(":0");
		}
	}

	// Redis drops the connection: an empty reply or a reset, by timing.
	private static String plainPing(RedisServer server) {
		try {
			return RedisInlineCommands.firstLine(server.port(), "PING");
		}
		catch (IllegalStateException ex) {
			return ex.toString();
		}
	}

	@Test
	void plainServerHasNoCertificates() {
		try (RedisServer server = RedisServer.start()) {
			assertThat(server.tls()).isEmpty();
			assertThat(server.command("PING")).isEqualTo("+PONG");
		}
	}

}
