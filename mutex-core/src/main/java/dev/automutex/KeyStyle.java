package dev.automutex;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * How {@link DefaultMutexKeyConverter} turns keys of one class into text, worked out once
 * per class.
 */
final class KeyStyle {

	/**
	 * The rule that applies to a class.
	 */
	enum Kind {

		ID, SET, COLLECTION, ARRAY, MAP, RECORD, TO_STRING, IDENTITY

	}

	final Kind kind;

	/**
	 * The simple name of the user class, or of the collection interface or array type.
	 */

	final String simpleName;

	/**
	 * The id accessor (kind {@code ID}) or the component accessors (kind {@code RECORD}).
	 */
	final Method[] accessors;

	final String[] componentNames;

	private KeyStyle(Kind kind, String simpleName, Method[] accessors, String[] componentNames) {
		this.kind = kind;
		this.simpleName = simpleName;
		this.accessors = accessors;
		this.componentNames = componentNames;
	}

	static KeyStyle of(Class<?> type) {
		Class<?> userClass = userClass(type);
		String simpleName = userClass.getSimpleName();
		Method idAccessor = findIdAccessor(userClass);
		if (idAccessor != null) {
			return new KeyStyle(Kind.ID, simpleName, new Method[] { idAccessor }, new String[0]);
		}
		if (Set.class.isAssignableFrom(type)) {
			return new KeyStyle(Kind.SET, "Set", new Method[0], new String[0]);
		}
		if (Collection.class.isAssignableFrom(type)) {
			String name = List.class.isAssignableFrom(type) ? "List"
					: Queue.class.isAssignableFrom(type) ? "Queue" : "Collection";
			return new KeyStyle(Kind.COLLECTION, name, new Method[0], new String[0]);
		}
		if (type.isArray()) {
			return new KeyStyle(Kind.ARRAY, simpleName, new Method[0], new String[0]);
		}
		if (Map.class.isAssignableFrom(type)) {
			return new KeyStyle(Kind.MAP, "Map", new Method[0], new String[0]);
		}
		if (userClass.isRecord()) {
			RecordComponent[] components = userClass.getRecordComponents();
			return new KeyStyle(Kind.RECORD, simpleName,
					Arrays.stream(components)
						.map((component) -> accessible(component.getAccessor()))
						.toArray(Method[]::new),
					Arrays.stream(components).map(RecordComponent::getName).toArray(String[]::new));
		}
		return new KeyStyle(overridesToString(userClass) ? Kind.TO_STRING : Kind.IDENTITY, simpleName, new Method[0],
				new String[0]);
	}

	/**
	 * The class a user wrote: not a CGLIB subclass ({@code Room$$SpringCGLIB$$0}) nor a
	 * Hibernate lazy-loading proxy ({@code Room$HibernateProxy$x1y2}), so that a lazy
	 * entity and a loaded one make the same key.
	 * @param type the class of a key
	 * @return the class the user wrote
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
		// Public methods of non-public classes (records declared inside a service, say)
		// still need this.
		ReflectionUtils.makeAccessible(method);
		return method;
	}

	private static boolean overridesToString(Class<?> type) {
		Method toString = ReflectionUtils.findMethod(type, "toString");
		return toString != null && toString.getDeclaringClass() != Object.class;
	}

}
