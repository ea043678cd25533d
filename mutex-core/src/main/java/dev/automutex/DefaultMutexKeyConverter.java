package dev.automutex;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Default {@link MutexKeyConverter}, following redis-mutex's key rules:
 * <ul>
 * <li>strings, numbers, booleans, characters and UUIDs as their text, enums as their {@code name()};</li>
 * <li>an object with an id, that is a public {@code getId()} or a record component {@code id}, as
 * {@code SimpleClassName:id} ({@code Room:123}); the class is the user class, never a CGLIB or Hibernate
 * proxy;</li>
 * <li>any other object by its own {@code toString()}.</li>
 * </ul>
 * An object whose only {@code toString()} is {@link Object#toString()} is rejected: its text contains an
 * identity hash, so two equal objects would never exclude each other. Empty text is rejected too.
 * <p>
 * Thread-safe; the reflective look-up is done once per class.
 *
 * @since 0.1.0
 */
public class DefaultMutexKeyConverter implements MutexKeyConverter {

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
		String text = convert(key);
		if (text.isEmpty()) {
			throw new IllegalArgumentException("Mutex key must not be empty (from " + key.getClass().getName() + ")");
		}
		return text;
	}

	private String convert(Object key) {
		if (key instanceof CharSequence || key instanceof Number || key instanceof Boolean
				|| key instanceof Character || key instanceof UUID) {
			return key.toString();
		}
		if (key instanceof Enum<?> value) {
			return value.name();
		}
		KeyStyle style = STYLES.get(key.getClass());
		if (style.idAccessor != null) {
			Object id = ReflectionUtils.invokeMethod(style.idAccessor, key);
			if (id == null) {
				throw new IllegalArgumentException("Cannot make a mutex key from " + style.simpleName
						+ ": its id is null (an entity that is not saved yet?)");
			}
			return style.simpleName + ":" + toKey(id);
		}
		if (style.ownToString) {
			return key.toString();
		}
		throw new IllegalArgumentException("Cannot make a mutex key from a " + key.getClass().getName()
				+ ": it has no id (a public getId() or a record component 'id') and does not override toString(), "
				+ "so its text would be an identity hash that no other instance shares and the lock would never "
				+ "exclude anything. Give the class an id or a toString(), or pass a String key.");
	}

	private record KeyStyle(String simpleName, @Nullable Method idAccessor, boolean ownToString) {

		static KeyStyle of(Class<?> type) {
			Class<?> userClass = userClass(type);
			return new KeyStyle(userClass.getSimpleName(), findIdAccessor(userClass), overridesToString(userClass));
		}

		/**
		 * The class a user wrote: not a CGLIB subclass ({@code Room$$SpringCGLIB$$0}) nor a Hibernate lazy-loading
		 * proxy ({@code Room$HibernateProxy$x1y2}), so that a lazy entity and a loaded one make the same key.
		 */
		private static Class<?> userClass(Class<?> type) {
			Class<?> userClass = ClassUtils.getUserClass(type);
			while (userClass.getName().contains("$HibernateProxy") && userClass.getSuperclass() != null
					&& userClass.getSuperclass() != Object.class) {
				userClass = userClass.getSuperclass();
			}
			return userClass;
		}

		private static @Nullable Method findIdAccessor(Class<?> type) {
			if (type.isRecord()) {
				for (RecordComponent component : type.getRecordComponents()) {
					if (component.getName().equals("id")) {
						return accessible(component.getAccessor());
					}
				}
			}
			Method getter = ReflectionUtils.findMethod(type, "getId");
			if (getter != null && Modifier.isPublic(getter.getModifiers()) && !Modifier.isStatic(getter.getModifiers())
					&& getter.getReturnType() != void.class) {
				return accessible(getter);
			}
			return null;
		}

		private static Method accessible(Method method) {
			// Public methods of non-public classes (records declared inside a service, say) still need this.
			ReflectionUtils.makeAccessible(method);
			return method;
		}

		private static boolean overridesToString(Class<?> type) {
			Method toString = ReflectionUtils.findMethod(type, "toString");
			return toString != null && toString.getDeclaringClass() != Object.class;
		}

	}

}
