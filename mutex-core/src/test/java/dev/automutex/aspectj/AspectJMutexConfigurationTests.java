package dev.automutex.aspectj;

import dev.automutex.MutexTemplate;
import dev.automutex.annotation.AutoMutex;
import dev.automutex.annotation.EnableAutoMutex;
import dev.automutex.annotation.InvalidAutoMutexException;
import dev.automutex.annotation.MutexAnnotationConfiguration;
import dev.automutex.annotation.MutexAnnotationValidator;
import dev.automutex.annotation.MutexInterceptor;
import dev.automutex.annotation.MutexOperationSource;
import dev.automutex.store.LocalMutexStore;
import org.aspectj.lang.Aspects;
import org.junit.jupiter.api.Test;

import org.springframework.aop.config.AopConfigUtils;
import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code @EnableAutoMutex(mode = AdviceMode.ASPECTJ)} registers the shared infrastructure
 * and configures {@link AutoMutexAspect}, but neither the advisor nor an auto-proxy
 * creator; an {@code @AutoMutex} method that AspectJ did not weave stops startup. No
 * agent runs here: {@code samples/aspectj} tests the woven calls.
 */
class AspectJMutexConfigurationTests {

	private static final AutoMutexAspect aspect = Aspects.aspectOf(AutoMutexAspect.class);

	@Test
	void aspectJModeCreatesNoProxiesAndConfiguresTheAspectWhileOpen() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			assertThat(context.containsBean(MutexAnnotationConfiguration.ADVISOR_BEAN_NAME)).isFalse();
			assertThat(context.containsBean(AopConfigUtils.AUTO_PROXY_CREATOR_BEAN_NAME)).isFalse();
			assertThat(context.getBeansOfType(MutexInterceptor.class)).hasSize(1);
			assertThat(context.getBeansOfType(MutexOperationSource.class)).hasSize(1);
			assertThat(context.getBeansOfType(MutexAnnotationValidator.class)).hasSize(1);
			assertThat(context.getBeansOfType(AspectJMutexConfiguration.class)).hasSize(1);
			assertThat(aspect.isConfigured()).isTrue();
		}
		assertThat(aspect.isConfigured()).isFalse();
	}

	@Test
	void aspectIsConfiguredBeforeTheApplicationBeansAreCreated() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class,
				EarlyConfig.class)) {
			assertThat(context.getBean(EarlyCaller.class).aspectConfiguredInConstructor).isTrue();
		}
	}

	@Test
	void methodAspectJDidNotWeaveStopsStartup() {
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> {
			try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class,
					UnwovenConfig.class)) {
				context.getBeanDefinitionNames();
			}
		})
			.satisfies((ex) -> assertThat(NestedExceptionUtils.getMostSpecificCause(ex))
				.isInstanceOf(InvalidAutoMutexException.class)
				.hasMessageContaining("Invalid @AutoMutex on " + Unwoven.class.getName() + ".run()")
				.hasMessageContaining("AspectJ did not weave AutoMutex's aspect into the method")
				.hasMessageContaining("-javaagent:aspectjweaver.jar"));
		assertThat(aspect.isConfigured()).isFalse();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(mode = AdviceMode.ASPECTJ)
	static class Config {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

	}

	static class EarlyCaller {

		final boolean aspectConfiguredInConstructor = aspect.isConfigured();

	}

	@Configuration(proxyBeanMethods = false)
	static class EarlyConfig {

		@Bean
		EarlyCaller earlyCaller() {
			return new EarlyCaller();
		}

	}

	static class Unwoven {

		@AutoMutex
		private void run() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UnwovenConfig {

		@Bean
		Unwoven unwoven() {
			return new Unwoven();
		}

	}

}
