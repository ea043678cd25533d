package dev.automutex.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;

class SpringIntegrationVersionCheckTests {

	@Test
	void versionWithCollisionBugsGetsWarningWithTheFix() {
		assertThat(SpringIntegrationVersionCheck.problem("7.0.5")).contains("7.0.5")
			.contains("<spring-integration.version>7.0.7</spring-integration.version>")
			.contains("11146");
		assertThat(SpringIntegrationVersionCheck.problem("7.0.0")).isNotNull();
	}

	@Test
	void fixedAndUnknownVersionsGetNoWarning() {
		assertThat(SpringIntegrationVersionCheck.problem("7.0.7")).isNull();
		assertThat(SpringIntegrationVersionCheck.problem("7.1.0")).isNull();
		assertThat(SpringIntegrationVersionCheck.problem("7.0.10-SNAPSHOT")).isNull();
		assertThat(SpringIntegrationVersionCheck.problem("unknown")).isNull();
		assertThat(SpringIntegrationVersionCheck.problem(null)).isNull();
	}

	@Test
	void thisBuildRunsAFixedVersion() {
		String version = LockRegistry.class.getPackage().getImplementationVersion();
		assertThat(version).isEqualTo("7.0.7");
		assertThat(SpringIntegrationVersionCheck.problem(version)).isNull();
	}

}
