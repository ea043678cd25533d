package dev.automutex.annotation;

/**
 * Thrown at startup when {@link AutoMutex} methods are used wrongly: an attribute that
 * does not parse, a key expression that names no parameter, a method a Spring proxy
 * cannot intercept. The message names every such method and attribute, one method per
 * line. The Spring Boot starter turns it into Spring Boot's "APPLICATION FAILED TO START"
 * report with the fix.
 *
 * @since 0.1.0
 */
public class InvalidAutoMutexException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	/**
	 * Create an exception.
	 * @param message every invalid method and what is wrong with it, one per line
	 */
	public InvalidAutoMutexException(String message) {
		super(message);
	}

}
