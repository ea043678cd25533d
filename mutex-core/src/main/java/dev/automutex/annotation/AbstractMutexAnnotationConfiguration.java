package dev.automutex.annotation;

import dev.automutex.DefaultMutexKeyConverter;
import dev.automutex.MutexKeyConverter;
import dev.automutex.MutexOperations;
import dev.automutex.MutexTemplate;

import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.util.function.SingletonSupplier;

/**
 * Base of the configurations that {@link EnableAutoMutex} imports, one per advice mode,
 * as Spring's {@code AbstractCachingConfiguration} is for {@code @EnableCaching}:
 * registers what both modes share, the {@link MutexInterceptor} and the
 * {@link MutexAnnotationValidator}. Each subclass registers the
 * {@link MutexOperationSource} that checks methods for its mode, and what applies the
 * interceptor: {@link MutexAnnotationConfiguration} an advisor for Spring AOP proxies,
 * {@link dev.automutex.aspectj.AspectJMutexConfiguration} the AspectJ aspect.
 * <p>
 * A bean of this type in a context means that {@code @AutoMutex} support is configured
 * there; the Spring Boot starter enables proxy mode only when there is none.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public abstract class AbstractMutexAnnotationConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static MutexInterceptor mutexInterceptor(MutexOperationSource mutexOperationSource,
			ObjectProvider<MutexOperations> operations, ObjectProvider<MutexKeyConverter> keyConverters) {
		SingletonSupplier<MutexOperations> engine = SingletonSupplier.of(() -> {
			MutexOperations available = operations.getIfUnique();
			if (available == null) {
				throw new NoSuchBeanDefinitionException(MutexOperations.class,
						"@AutoMutex needs exactly one MutexOperations bean (a MutexTemplate); declare one, "
								+ "or mark one of several @Primary");
			}
			return available;
		});
		// The converter of the engine when it is a MutexTemplate, so that annotation
		// and template agree.
		SingletonSupplier<MutexKeyConverter> keyConverter = SingletonSupplier
			.of(() -> (engine.obtain() instanceof MutexTemplate template) ? template.getKeyConverter()
					: keyConverters.getIfUnique(DefaultMutexKeyConverter::new));
		return new MutexInterceptor(mutexOperationSource, engine, keyConverter);
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static MutexAnnotationValidator mutexAnnotationValidator(MutexOperationSource mutexOperationSource) {
		return new MutexAnnotationValidator(mutexOperationSource);
	}

}
