package dev.automutex;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Text helpers of {@link DefaultMutexKeyConverter}: escaping inside structures and
 * finding identity hashes.
 */
final class KeyText {

	private static final String STRUCTURAL = "\\,[]{}=";

	/**
	 * What {@link Object#toString()} writes: {@code Class.getName()}, {@code @}, hex
	 * identity hash. The name is qualified (a package), a lambda's hidden class
	 * ({@code pkg.Foo$$Lambda/0x0000000800c03000}) or an array ({@code [I},
	 * {@code [Ljava.lang.Object;}); the hash is 1 to 8 lowercase hex digits not followed
	 * by another identifier character.
	 */
	private static final Pattern IDENTITY = Pattern.compile("(?<![\\p{L}\\p{N}_$.])("
			+ "\\[+(?:[ZBCSIJFD]|L[\\p{L}_$][\\p{L}\\p{N}_$]*(?:\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*;)"
			+ "|[\\p{L}_$][\\p{L}\\p{N}_$]*(?:\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)+(?:/0x[0-9a-f]+)?"
			+ ")@[0-9a-f]{1,8}(?![\\p{L}\\p{N}_$])");

	private static final int MAX_CACHED_NAMES = 1024;

	/** Whether a name found before an {@code @} is a class that can be loaded. */
	private static final Map<String, Boolean> classNames = new ConcurrentHashMap<>();

	private KeyText() {
	}

	/**
	 * Escape the characters {@code \ , [ ] { } =} with a backslash, so that text inside a
	 * structure cannot be read as the structure's own delimiters.
	 * @param text the text of one element, key, value or component
	 * @return the text itself when it holds none of them
	 */
	static String escape(String text) {
		int first = firstStructural(text);
		if (first < 0) {
			return text;
		}
		StringBuilder escaped = new StringBuilder(text.length() + 8).append(text, 0, first);
		for (int i = first; i < text.length(); i++) {
			char c = text.charAt(i);
			if (STRUCTURAL.indexOf(c) >= 0) {
				escaped.append('\\');
			}
			escaped.append(c);
		}
		return escaped.toString();
	}

	private static int firstStructural(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (STRUCTURAL.indexOf(text.charAt(i)) >= 0) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * Find the identity text of an object ({@code java.lang.Object@1b6d3586}) inside the
	 * text of another. Only names of classes that can be loaded (with the class loader of
	 * {@code owner}, then the thread's context class loader) and lambdas count, so that
	 * {@code user@cafe} or {@code john.doe@cafe.de} pass.
	 * @param text the text of {@code owner}'s {@code toString()}
	 * @param owner the class whose text it is
	 * @return the first identity text found, or {@code null}
	 */
	static @Nullable String findIdentityHash(String text, Class<?> owner) {
		if (text.indexOf('@') < 0) {
			return null;
		}
		Matcher matcher = IDENTITY.matcher(text);
		while (matcher.find()) {
			if (isClassName(matcher.group(1), owner)) {
				return matcher.group();
			}
		}
		return null;
	}

	private static boolean isClassName(String name, Class<?> owner) {
		if (name.contains("$$Lambda")) {
			return true;
		}
		Boolean known = classNames.get(name);
		if (known != null) {
			return known;
		}
		boolean found = canLoad(name, owner.getClassLoader())
				|| canLoad(name, Thread.currentThread().getContextClassLoader());
		if (classNames.size() < MAX_CACHED_NAMES) {
			classNames.put(name, found);
		}
		return found;
	}

	private static boolean canLoad(String name, @Nullable ClassLoader classLoader) {
		try {
			Class.forName(name, false, classLoader);
			return true;
		}
		catch (ClassNotFoundException | LinkageError | SecurityException ex) {
			return false;
		}
	}

}
