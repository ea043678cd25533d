package dev.automutex.annotation;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Checks the {@link AutoMutex} methods of every bean class once all singletons exist, so
 * that mistakes in lazy and prototype beans (whose proxies are not created at startup)
 * also stop the application from starting. Singletons were already checked when their
 * proxies were created; {@link MutexOperationSource} checks each class only once.
 *
 * @since 0.1.0
 */
public class MutexAnnotationValidator implements SmartInitializingSingleton, BeanFactoryAware {

	private final MutexOperationSource source;

	private @Nullable ListableBeanFactory beanFactory;

	/**
	 * Create a validator.
	 * @param source the operation source that parses and checks the annotations
	 */
	public MutexAnnotationValidator(MutexOperationSource source) {
		this.source = source;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		if (beanFactory instanceof ListableBeanFactory listable) {
			this.beanFactory = listable;
		}
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (this.beanFactory == null) {
			return;
		}
		for (String name : this.beanFactory.getBeanDefinitionNames()) {
			Class<?> type;
			try {
				// Without initialising anything: lazy beans stay lazy.
				type = this.beanFactory.getType(name, false);
			}
			catch (RuntimeException ex) {
				continue; // a type that cannot be determined is not ours to report
			}
			if (type != null) {
				this.source.validate(type);
			}
		}
	}

}
