package dev.automutex;

import org.jspecify.annotations.Nullable;

/**
 * Base class of the runtime exceptions that AutoMutex throws.
 *
 * @since 0.1.0
 */
public class MutexException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception with a message.
	 * @param message what went wrong
	 */
	public MutexException(String message) {
		super(message);
	}

	/**
	 * Create an exception with a message and a cause.
	 * @param message what went wrong
	 * @param cause the underlying failure
	 */
	public MutexException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
