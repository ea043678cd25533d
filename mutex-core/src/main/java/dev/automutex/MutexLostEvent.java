package dev.automutex;

import java.util.List;

import org.springframework.context.ApplicationEvent;

/**
 * Published (by the Spring Boot starter) when renewal finds that the store lost a key
 * while it was held: the holder is no longer alone. Listen with {@code @EventListener} to
 * alert or to stop work.
 *
 * @since 0.1.0
 */
public class MutexLostEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final List<String> keys;

	/**
	 * Create an event.
	 * @param source the {@link MutexTemplate} that noticed the loss
	 * @param keys the lost keys
	 */
	public MutexLostEvent(Object source, List<String> keys) {
		super(source);
		this.keys = List.copyOf(keys);
	}

	/**
	 * The lost keys.
	 * @return an unmodifiable list
	 */
	public List<String> keys() {
		return this.keys;
	}

}
