package dev.automutex;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Key objects to the text the store locks on, for {@link MutexTemplate}: a
 * {@link MutexKey} as it is, anything else through the template's
 * {@link MutexKeyConverter}; several keys each once.
 */
final class KeyTexts {

	private KeyTexts() {
	}

	static String of(Object key, MutexKeyConverter converter) {
		if (key == null) {
			throw new IllegalArgumentException("Mutex key must not be null");
		}
		if (key instanceof MutexKey text) {
			return text.text();
		}
		return converter.toKey(key);
	}

	static List<String> ofAll(Collection<?> keys, MutexKeyConverter converter) {
		List<String> texts = new ArrayList<>(keys.size());
		Set<String> seen = new HashSet<>();
		for (Object key : keys) {
			String text = of(key, converter);
			if (!seen.add(text)) {
				throw new IllegalArgumentException("Mutex key '" + text + "' appears more than once in " + keys
						+ "; a thread cannot wait for a key it is taking itself. Pass each key once.");
			}
			texts.add(text);
		}
		return List.copyOf(texts);
	}

}
