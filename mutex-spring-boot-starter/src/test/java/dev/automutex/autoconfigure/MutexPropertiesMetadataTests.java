package dev.automutex.autoconfigure;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * IDEs complete {@code mutex.*} from the metadata the configuration processor generates
 * into the starter's jar.
 */
class MutexPropertiesMetadataTests {

	@Test
	void metadataDescribesEveryProperty() throws Exception {
		try (InputStream in = getClass().getClassLoader()
			.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated configuration metadata").isNotNull();
			String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			assertThat(json).contains("\"mutex.store\"", "\"mutex.block\"", "\"mutex.expire\"", "\"mutex.prefix\"",
					"\"mutex.redis.lock-type\"", "\"mutex.sweep-interval\"", "\"mutex.renew\"");
			assertThat(json).contains("How long a caller waits for a key someone else holds");
		}
	}

}
