package dev.automutex.autoconfigure.web;

import java.net.URI;

import dev.automutex.MutexLockException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers a request whose key was busy ({@link MutexLockException} out of a controller,
 * from {@code @AutoMutex} or {@code MutexTemplate}) with HTTP 409 Conflict and an RFC
 * 9457 {@link ProblemDetail} naming the keys, instead of a 500. A wait interrupted while
 * the application shuts down is a 503. Ordered last, so that an application's own handler
 * of {@code MutexLockException} (or an {@code @AutoMutex} failure handler) wins. Off with
 * {@code mutex.web.busy-as-conflict=false}.
 *
 * @since 0.1.0
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class MutexProblemDetails {

	/** The problem type of a busy key. */
	public static final URI BUSY = URI.create("urn:automutex:problem:mutex-busy");

	/**
	 * The answer to a busy (or interrupted) wait for a key. Only for the
	 * {@code MutexLockException} itself: an application exception that wraps one (a
	 * failure handler's own) is left to the application's handling.
	 * @param thrown what left the controller
	 * @return 409 with the keys and the time waited; 503 when the wait was interrupted
	 * @throws Exception {@code thrown} itself when it only wraps a
	 * {@code MutexLockException}, so that Spring MVC goes on with its default handling
	 */
	@ExceptionHandler(MutexLockException.class)
	public ResponseEntity<ProblemDetail> busy(Exception thrown) throws Exception {
		if (!(thrown instanceof MutexLockException ex)) {
			throw thrown;
		}
		boolean interrupted = ex.getCause() instanceof InterruptedException;
		HttpStatus status = interrupted ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.CONFLICT;
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, ex.getMessage());
		problem.setTitle(interrupted ? "Interrupted while waiting for a mutex" : "Mutex busy");
		if (!interrupted) {
			problem.setType(BUSY);
		}
		problem.setProperty("keys", ex.keys());
		problem.setProperty("waitedMillis", ex.waited().toMillis());
		return ResponseEntity.status(status).body(problem);
	}

}
