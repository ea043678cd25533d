package dev.automutex.annotation;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

import dev.automutex.MutexLockException;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link MutexFailureHandler} is told about a failed {@link AutoMutex}
 * acquisition.
 *
 * @param keys the keys that could not be had
 * @param method the annotated method (on the user class)
 * @param arguments the arguments of the refused call, as passed
 * @param target the bean whose method was called
 * @param exception the exception that would otherwise reach the caller
 * @since 0.1.0
 */
public record MutexFailure(List<String> keys, Method method, @Nullable Object[] arguments, Object target,
		MutexLockException exception) {

	/**
	 * Create a failure description.
	 */
	public MutexFailure {
		keys = List.copyOf(keys);
	}

	@Override
	public String toString() {
		return "MutexFailure[keys=" + this.keys + ", method=" + this.method.getName() + ", arguments="
				+ Arrays.toString(this.arguments) + "]";
	}

}
