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
 * Configuration that registers the infrastructure for {@link AutoMutex}: the operation
 * source, the interceptor, the advisor, and the startup check of every annotated bean
 * class. Imported by {@link EnableAutoMutex} and by the Spring Boot starter.
 *
 * @since 0.1.0
 */
@Configuration(proxyBeanMethods = false)
@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
public class MutexAnnotationConfiguration {

	/**
	 * Bean name of the advisor.
	 */
	public static final String ADVISOR_BEAN_NAME = "dev.automutex.annotation.internalMutexAdvisor";

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static MutexOperationSource mutexOperationSource() {
		return new MutexOperationSource();
	}

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

	@Bean(name = ADVISOR_BEAN_NAME)
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static MutexOperationSourceAdvisor mutexAdvisor(MutexOperationSource mutexOperationSource,
			MutexInterceptor mutexInterceptor) {
		MutexOperationSourceAdvisor advisor = new MutexOperationSourceAdvisor(mutexOperationSource);
		advisor.setAdvice(mutexInterceptor);
		return advisor;
	}

}
