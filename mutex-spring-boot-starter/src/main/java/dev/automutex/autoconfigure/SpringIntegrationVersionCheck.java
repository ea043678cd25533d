package dev.automutex.autoconfigure;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns at startup when the application runs a Spring Integration version whose lock
 * registries let different keys collide. Spring Boot 4.0.7 manages 7.0.5, so an
 * application gets it unless it overrides {@code spring-integration.version}, whatever
 * this starter was built with.
 */
final class SpringIntegrationVersionCheck {

	private static final Logger logger = LoggerFactory.getLogger(SpringIntegrationVersionCheck.class);

	private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+).*");

	private SpringIntegrationVersionCheck() {
	}

	static void warnIfAffected(@Nullable String version) {
		String problem = problem(version);
		if (problem != null) {
			logger.warn(problem);
		}
	}

	/**
	 * The warning for a Spring Integration version, or {@code null} if it has no known
	 * lock-key collision bug.
	 * @param version the version, such as {@code 7.0.5}; {@code null} if unknown
	 * @return the warning text, or {@code null}
	 */
	static @Nullable String problem(@Nullable String version) {
		if (version == null) {
			return null;
		}
		Matcher matcher = VERSION.matcher(version);
		if (!matcher.matches()) {
			return null;
		}
		int major = Integer.parseInt(matcher.group(1));
		int minor = Integer.parseInt(matcher.group(2));
		int patch = Integer.parseInt(matcher.group(3));
		if (major == 7 && minor == 0 && patch < 7) {
			return "Spring Integration " + version
					+ " is on the classpath; its Redis and JDBC lock registries can make "
					+ "different keys block each other or leave keys held (spring-integration issues 11146, 11157, "
					+ "11180, fixed in 7.0.7). Spring Boot 4.0.7 manages this version: override it with "
					+ "<spring-integration.version>7.0.7</spring-integration.version> in your pom's <properties> "
					+ "(Gradle: ext['spring-integration.version'] = '7.0.7').";
		}
		return null;
	}

}
