package dev.automutex.autoconfigure;

import java.util.List;

/**
 * Thrown at startup when the application has several {@code LockRegistry} beans, none of
 * them primary, and no {@code MutexStore} bean: AutoMutex cannot tell which registry to
 * lock on. {@link MutexStoreFailureAnalyzer} explains it.
 */
class SeveralLockRegistriesException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final List<String> beanNames;

	/**
	 * Create an exception.
	 * @param beanNames the names of the {@code LockRegistry} beans
	 */
	SeveralLockRegistriesException(List<String> beanNames) {
		super("AutoMutex found several LockRegistry beans (" + String.join(", ", beanNames) + ") and cannot tell "
				+ "which to lock on; mark one @Primary, or declare a MutexStore bean");
		this.beanNames = List.copyOf(beanNames);
	}

	/**
	 * The names of the {@code LockRegistry} beans.
	 * @return an unmodifiable list
	 */
	List<String> getBeanNames() {
		return this.beanNames;
	}

}
