package dev.automutex.annotation;

import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.AdviceModeImportSelector;
import org.springframework.util.ClassUtils;

/**
 * Selects the {@link AbstractMutexAnnotationConfiguration} for the
 * {@link EnableAutoMutex#mode() mode} of {@link EnableAutoMutex}, as Spring's
 * {@code CachingConfigurationSelector} does for {@code @EnableCaching}: the auto-proxy
 * registrar and {@link MutexAnnotationConfiguration} for {@link AdviceMode#PROXY}, or
 * {@code dev.automutex.aspectj.AspectJMutexConfiguration} for {@link AdviceMode#ASPECTJ}.
 * The AspectJ configuration is named, not referenced, so that proxy mode never loads
 * AspectJ types.
 */
class AutoMutexConfigurationSelector extends AdviceModeImportSelector<EnableAutoMutex> {

	private static final String ASPECTJ_CONFIGURATION_CLASS = "dev.automutex.aspectj.AspectJMutexConfiguration";

	private static final String ASPECTJ_MARKER_CLASS = "org.aspectj.lang.annotation.Aspect";

	@Override
	protected String[] selectImports(AdviceMode adviceMode) {
		return switch (adviceMode) {
			case PROXY ->
				new String[] { MutexAutoProxyRegistrar.class.getName(), MutexAnnotationConfiguration.class.getName() };
			case ASPECTJ -> aspectJImports();
		};
	}

	private static String[] aspectJImports() {
		if (!ClassUtils.isPresent(ASPECTJ_MARKER_CLASS, AutoMutexConfigurationSelector.class.getClassLoader())) {
			throw new IllegalStateException("@EnableAutoMutex(mode = AdviceMode.ASPECTJ) needs AspectJ on the class "
					+ "path: add org.aspectj:aspectjweaver (Spring Boot's spring-boot-starter-aspectj brings it)");
		}
		return new String[] { ASPECTJ_CONFIGURATION_CLASS };
	}

}
