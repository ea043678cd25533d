package dev.automutex.sample.unwoven;

import dev.automutex.annotation.AutoMutex;
import dev.automutex.annotation.EnableAutoMutex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.AdviceMode;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The agent runs, but this package is not in the sample's {@code aop.xml}: in AspectJ
 * mode its {@code @AutoMutex} methods would run unlocked, so the application does not
 * start, and the report names the method and the fix.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnwovenClassTests {

	@Test
	void classLeftOutOfAopXmlStopsStartupNamingIt(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> new SpringApplicationBuilder(UnwovenApplication.class).web(WebApplicationType.NONE)
				.run()
				.close());
		assertThat(output).contains("APPLICATION FAILED TO START",
				"Invalid @AutoMutex on " + Ledger.class.getName() + ".post(String)",
				"AspectJ did not weave AutoMutex's aspect into the method", "META-INF/aop.xml",
				"includes " + Ledger.class.getName());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@EnableAutoMutex(mode = AdviceMode.ASPECTJ)
	@Import(Ledger.class)
	static class UnwovenApplication {

	}

	static class Ledger {

		@AutoMutex(on = "#id")
		private void post(String id) {
		}

	}

}
