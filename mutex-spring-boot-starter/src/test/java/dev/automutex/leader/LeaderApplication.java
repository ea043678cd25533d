package dev.automutex.leader;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * An application with the AutoMutex starter and the leader election recipe, plus a
 * {@link LeadershipRecorder}: one instance of a service.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ LeaderConfiguration.class, NightlyReports.class, LeadershipRecorder.class })
class LeaderApplication {

	static ConfigurableApplicationContext start(String... properties) {
		return new SpringApplicationBuilder(LeaderApplication.class).web(WebApplicationType.NONE)
			.properties("spring.main.banner-mode=off")
			.properties(properties)
			.run();
	}

}
