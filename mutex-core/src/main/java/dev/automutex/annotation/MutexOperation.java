package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * The checked, immutable form of one {@link AutoMutex} on one method of one class, built
 * once by {@link MutexOperationSource}.
 *
 * @param method the annotated method, on the user class
 * @param targetClass the user class (never a proxy class)
 * @param name the fixed part of the key: the annotation's {@code name}, or
 * {@code SimpleClassName#method}
 * @param on the SpEL expressions whose values complete the key
 * @param all the SpEL expressions whose values are locked as separate keys (empty when
 * {@code on} is used)
 * @param block the wait, or {@code null} for the template's default
 * @param expire the time-to-live, or {@code null} for the template's default
 * @param afterFailure the name of the {@link MutexFailureHandler} bean, or {@code null}
 * to throw
 * @param tokenParameter the index of the {@link FencingToken} parameter, or {@code -1}
 * @param renew whether to renew the key while held, or {@code null} for the template's
 * setting
 * @param holdAtLeast how long the key stays held at least after the method started, or
 * {@code null} for no minimum
 * @since 0.1.0
 */
public record MutexOperation(Method method, Class<?> targetClass, String name, List<String> on, List<String> all,
		@Nullable Duration block, @Nullable Duration expire, @Nullable String afterFailure, int tokenParameter,
		@Nullable Boolean renew, @Nullable Duration holdAtLeast) {

	/**
	 * Create an operation.
	 */
	public MutexOperation {
		on = List.copyOf(on);
		all = List.copyOf(all);
	}

	/**
	 * Describe the annotated method for messages.
	 * @return for example
	 * {@code @AutoMutex on com.example.ItunesVerifier.perform(String)}
	 */
	public String describe() {
		return describe(this.method, this.targetClass);
	}

	static String describe(Method method, Class<?> targetClass) {
		String parameters = Arrays.stream(method.getParameterTypes())
			.map(Class::getSimpleName)
			.collect(Collectors.joining(", "));
		return "@AutoMutex on " + targetClass.getName() + "." + method.getName() + "(" + parameters + ")";
	}

}
