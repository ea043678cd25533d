package dev.automutex;

import org.springframework.util.Assert;

/**
 * A key that is already text: {@link MutexTemplate} locks on it as it is, without passing
 * it through the {@link MutexKeyConverter}. {@code @AutoMutex} uses it for the keys it
 * builds from converted values, so that each value is converted exactly once.
 *
 * @param text the key text, as the store sees it (before the store's prefix)
 * @since 0.1.0
 */
public record MutexKey(String text) {

	/**
	 * Create a key.
	 * @param text the key text; not empty
	 */
	public MutexKey {
		Assert.hasLength(text, "Mutex key text must not be empty");
	}

	@Override
	public String toString() {
		return this.text;
	}

}
