package dev.automutex.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * {@link org.springframework.boot.diagnostics.FailureAnalyzer FailureAnalyzer} for a
 * {@link SeveralLockRegistriesException}: names the registries and says how to choose
 * one. (A {@code mutex.store} that cannot be met fails with an
 * {@code InvalidConfigurationPropertyValueException}, which Spring Boot analyzes itself,
 * naming where the value came from.)
 */
class MutexStoreFailureAnalyzer extends AbstractFailureAnalyzer<SeveralLockRegistriesException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, SeveralLockRegistriesException cause) {
		StringBuilder description = new StringBuilder(String.format(
				"AutoMutex locks on the application's LockRegistry bean, but found %d and none is @Primary:",
				cause.getBeanNames().size()));
		cause.getBeanNames().forEach((name) -> description.append(String.format("%n\t- %s", name)));
		String action = "Mark the LockRegistry that AutoMutex should lock on @Primary, or declare a MutexStore bean "
				+ "(for example LockRegistryMutexStore.of(registry, expire)) to choose it yourself.";
		return new FailureAnalysis(description.toString(), action, cause);
	}

}
