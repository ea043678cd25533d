package dev.automutex.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * AutoMutex on the embedded store: no Redis, no setup. Run it and read what it prints.
 */
@SpringBootApplication
@EnableAsync
public class LocalSampleApplication {

	public static void main(String[] args) {
		// The demo runs at startup; closing the context afterwards stops the async
		// executor, so the JVM exits.
		SpringApplication.run(LocalSampleApplication.class, args).close();
	}

}
