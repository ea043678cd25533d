package dev.automutex.reliability.worker;

import java.io.IOException;

import dev.automutex.annotation.MutexFailureHandler;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Failure handlers of {@link BadInputService} that misbehave: one throws an unchecked
 * exception, one a checked exception, one returns {@code null} for a primitive.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
public class BadInputHandlers {

	/**
	 * Message of the exceptions the throwing handlers throw.
	 */
	public static final String REFUSED = "handler refused busy key";

	@Bean
	MutexFailureHandler throwingHandler() {
		return (failure) -> {
			throw new IllegalStateException(REFUSED + " " + failure.keys());
		};
	}

	@Bean
	MutexFailureHandler checkedThrowingHandler() {
		return (failure) -> {
			throw new IOException(REFUSED + " " + failure.keys());
		};
	}

	@Bean
	MutexFailureHandler nullHandler() {
		return (failure) -> null;
	}

}
