package dev.automutex.sample;

import dev.automutex.annotation.MutexFailureHandler;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SampleConfiguration {

	/**
	 * What {@code ReportJob.run} returns when another run holds its key.
	 */
	@Bean
	MutexFailureHandler reportBusy() {
		return (failure) -> "report for " + failure.arguments()[0] + " skipped: " + failure.keys().get(0)
				+ " is running";
	}

}
