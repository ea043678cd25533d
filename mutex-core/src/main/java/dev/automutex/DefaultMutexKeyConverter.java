package dev.automutex;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.util.ReflectionUtils;

/**
 * Default {@link MutexKeyConverter}, following redis-mutex's key rules. Equal keys give
 * equal text in every JVM, and text that no equal key would share is rejected. The rules,
 * first match wins:
 * <ul>
 * <li>strings (any {@link CharSequence}), numbers, booleans, characters and UUIDs are
 * their text; enums their {@code name()}; a {@link MutexKey} its text;</li>
 * <li>an object with an id, that is a public {@code getId()} or a record component
 * {@code id}, is {@code SimpleClassName:id} ({@code Room:123}), the id converted by these
 * rules; the class is the user class, never a CGLIB or Hibernate proxy; a {@code null} id
 * is rejected (an entity not saved yet);</li>
 * <li>a {@link Set} is its elements, each converted, sorted by their text ({@link String}
 * order): {@code [a, b, c]}, whatever order the set iterates in;</li>
 * <li>any other {@link Collection} ({@code List}, {@code Deque}...) and any array, of
 * objects or primitives, is its elements in their order: {@code [b, a]};</li>
 * <li>a {@link Map} is its entries {@code key=value}, sorted by the text of their key
 * (then of their value): {@code {a=1, b=2}};</li>
 * <li>a record without an {@code id} component is
 * {@code SimpleName[first=..., second=...]}, each component converted, in declaration
 * order; a {@code null} component is written {@code null}, as the record's own
 * {@code toString()} does. A record's own {@code toString()} is not used even if it
 * declares one: its components define its equality;</li>
 * <li>any other object is its own {@code toString()}, unless that text holds the identity
 * text of another object ({@code Task{lock=java.lang.Object@1b6d3586}}, or a lambda's
 * {@code pkg.Foo$$Lambda/0x...@6d06d69c}): that is rejected. Identity text is a qualified
 * class name, {@code @} and 1 to 8 lowercase hex digits, where the name is a class that
 * can be loaded or a lambda, so {@code john.doe@cafe.de} is fine;</li>
 * <li>an object whose only {@code toString()} is {@link Object#toString()} is rejected:
 * its text is an identity hash, so two equal objects would never exclude each other.</li>
 * </ul>
 * Inside a set, collection, array, map or record, the text of each element, key, value or
 * component has {@code \ , [ ] { } =} escaped with a backslash where they occur, so
 * {@code Set.of("a, b")} is {@code [a\, b]} and {@code Set.of("a", "b")} is
 * {@code [a, b]}; text outside any structure is never escaped. {@code null} is rejected
 * anywhere in a key except as a record component, and so is empty text of the whole key,
 * of an id, and of an element of a set, collection or array ({@code [""]} would read as
 * {@code []}); the message names where it was found
 * ({@code element at index 2 of a List}).
 * <p>
 * Thread-safe; the reflective look-up is done once per class.
 *
 * @since 0.1.0
 */
public class DefaultMutexKeyConverter implements MutexKeyConverter {

	private static final int MAX_DEPTH = 64;

	private static final ClassValue<KeyStyle> STYLES = new ClassValue<>() {
		@Override
		protected KeyStyle computeValue(Class<?> type) {
			return KeyStyle.of(type);
		}
	};

	@Override
	public String toKey(Object key) {
		if (key == null) {
			throw new IllegalArgumentException("Mutex key must not be null");
		}
		String text;
		try {
			text = convert(key, 0);
		}
		catch (KeyProblem ex) {
			throw new IllegalArgumentException(ex.getMessage());
		}
		if (text.isEmpty()) {
			throw new IllegalArgumentException("Mutex key must not be empty (from " + key.getClass().getName() + ")");
		}
		return text;
	}

	private String convert(@Nullable Object key, int depth) {
		// String first: a final class, so an exact class check, where an interface
		// check (CharSequence) scans the class's interfaces and, on JDKs before 23,
		// makes threads contend on one cache line.
		if (key instanceof String text) {
			return (depth == 0) ? text : KeyText.escape(text);
		}
		if (key instanceof CharSequence || key instanceof Number || key instanceof Boolean || key instanceof Character
				|| key instanceof UUID) {
			return (depth == 0) ? key.toString() : KeyText.escape(key.toString());
		}
		if (key instanceof Enum<?> value) {
			return value.name();
		}
		if (key instanceof MutexKey value) {
			return (depth == 0) ? value.text() : KeyText.escape(value.text());
		}
		if (key == null) {
			throw new KeyProblem("Mutex key must not contain null");
		}
		if (depth > MAX_DEPTH) {
			throw new KeyProblem("Mutex key is nested more than " + MAX_DEPTH + " levels deep (does a "
					+ key.getClass().getName() + " contain itself?)");
		}
		KeyStyle style = STYLES.get(key.getClass());
		return switch (style.kind) {
			case ID -> withId(key, style, depth);
			case SET -> sortedElements(((Collection<?>) key).toArray(), style, depth);
			case COLLECTION -> elements(((Collection<?>) key).toArray(), style, depth);
			case ARRAY -> elements(arrayElements(key), style, depth);
			case MAP -> entries((Map<?, ?>) key, depth);
			case RECORD -> components(key, style, depth);
			case TO_STRING -> ownText(key, depth);
			case IDENTITY -> throw new KeyProblem("Cannot make a mutex key from a " + key.getClass().getName()
					+ ": it has no id (a public getId() or a record component 'id') and does not override "
					+ "toString(), so its text would be an identity hash that no other instance shares and the lock "
					+ "would never exclude anything. Give the class an id or a toString(), or pass a String key.");
		};
	}

	private String withId(Object key, KeyStyle style, int depth) {
		Object id = ReflectionUtils.invokeMethod(style.accessors[0], key);
		if (id == null) {
			throw new KeyProblem("Cannot make a mutex key from " + style.simpleName
					+ ": its id is null (an entity that is not saved yet?)");
		}
		if (id == key) {
			throw new KeyProblem("Cannot make a mutex key from " + style.simpleName + ": its id is itself");
		}
		try {
			// The depth of the object itself: its id text is escaped inside a
			// structure, and only there.
			return style.simpleName + ":" + nonEmpty(convert(id, depth), "its id is empty");
		}
		catch (KeyProblem ex) {
			throw ex.in("id of " + style.simpleName);
		}
	}

	private String sortedElements(Object[] elements, KeyStyle style, int depth) {
		String[] texts = new String[elements.length];
		for (int i = 0; i < elements.length; i++) {
			texts[i] = element(elements[i], -1, style, depth);
		}
		Arrays.sort(texts);
		return join('[', texts, ']');
	}

	private String elements(Object[] elements, KeyStyle style, int depth) {
		String[] texts = new String[elements.length];
		for (int i = 0; i < elements.length; i++) {
			texts[i] = element(elements[i], i, style, depth);
		}
		return join('[', texts, ']');
	}

	private String element(@Nullable Object element, int index, KeyStyle style, int depth) {
		try {
			return nonEmpty(convert(element, depth + 1), "an empty element would read as no element at all");
		}
		catch (KeyProblem ex) {
			String of = " of " + (("AEIOUaeiou".indexOf(style.simpleName.charAt(0)) >= 0) ? "an " : "a ")
					+ style.simpleName;
			throw ex.in((index < 0) ? "an element" + of : "element at index " + index + of);
		}
	}

	private String entries(Map<?, ?> map, int depth) {
		String[][] entries = new String[map.size()][];
		int i = 0;
		for (Map.Entry<?, ?> entry : map.entrySet()) {
			String key;
			try {
				key = convert(entry.getKey(), depth + 1);
			}
			catch (KeyProblem ex) {
				throw ex.in("a key of a Map");
			}
			try {
				entries[i++] = new String[] { key, convert(entry.getValue(), depth + 1) };
			}
			catch (KeyProblem ex) {
				throw ex.in("value of key '" + key + "' of a Map");
			}
		}
		// Keys of unequal classes may have equal text (1 and 1L): their values then
		// decide.
		Arrays.sort(entries,
				Comparator.<String[], String>comparing((entry) -> entry[0]).thenComparing((entry) -> entry[1]));
		String[] texts = new String[entries.length];
		for (int j = 0; j < entries.length; j++) {
			texts[j] = entries[j][0] + "=" + entries[j][1];
		}
		return join('{', texts, '}');
	}

	private String components(Object key, KeyStyle style, int depth) {
		StringBuilder text = new StringBuilder(style.simpleName).append('[');
		for (int i = 0; i < style.accessors.length; i++) {
			Object value = ReflectionUtils.invokeMethod(style.accessors[i], key);
			try {
				text.append((i > 0) ? ", " : "")
					.append(style.componentNames[i])
					.append('=')
					.append((value != null) ? convert(value, depth + 1) : "null");
			}
			catch (KeyProblem ex) {
				throw ex.in("component '" + style.componentNames[i] + "' of " + style.simpleName);
			}
		}
		return text.append(']').toString();
	}

	private String ownText(Object key, int depth) {
		String text = key.toString();
		if (text == null) {
			throw new KeyProblem(
					"Cannot make a mutex key from a " + key.getClass().getName() + ": its toString() returned null");
		}
		String identity = KeyText.findIdentityHash(text, key.getClass());
		if (identity != null) {
			throw new KeyProblem("Cannot make a mutex key from a " + key.getClass().getName() + ": its toString() "
					+ "holds '" + identity + "', the identity hash of an object that no equal key shares, so the "
					+ "lock would never exclude anything. Give that object's class an id or a toString(), or pass "
					+ "a String key.");
		}
		return (depth == 0) ? text : KeyText.escape(text);
	}

	private static String nonEmpty(String text, String reason) {
		if (text.isEmpty()) {
			throw new KeyProblem("Mutex key must not contain empty text: " + reason);
		}
		return text;
	}

	private static Object[] arrayElements(Object array) {
		if (array instanceof Object[] objects) {
			return objects;
		}
		Object[] elements = new Object[Array.getLength(array)];
		for (int i = 0; i < elements.length; i++) {
			elements[i] = Array.get(array, i);
		}
		return elements;
	}

	private static String join(char open, String[] texts, char close) {
		StringBuilder text = new StringBuilder().append(open);
		for (int i = 0; i < texts.length; i++) {
			text.append((i > 0) ? ", " : "").append(texts[i]);
		}
		return text.append(close).toString();
	}

	/**
	 * A reason a key cannot be converted, with where in the key it was found, innermost
	 * first.
	 */
	private static final class KeyProblem extends RuntimeException {

		private static final long serialVersionUID = 1L;

		private static final int MAX_LOCATIONS = 8;

		private final StringBuilder where = new StringBuilder();

		private int locations;

		KeyProblem(String message) {
			super(message, null, false, false);
		}

		KeyProblem in(String location) {
			this.locations++;
			if (this.locations <= MAX_LOCATIONS) {
				this.where.append((this.locations > 1) ? ", in " : "").append(location);
			}
			else if (this.locations == MAX_LOCATIONS + 1) {
				this.where.append(", ...");
			}
			return this;
		}

		@Override
		public String getMessage() {
			return super.getMessage() + (this.where.isEmpty() ? "" : " [" + this.where + "]");
		}

	}

}
