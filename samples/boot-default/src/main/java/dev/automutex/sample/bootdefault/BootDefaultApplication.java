package dev.automutex.sample.bootdefault;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An application as a user writes it: Spring Boot 4.0.7 with its own dependency versions,
 * the AutoMutex starter and Spring Data Redis, nothing else. AutoMutex locks on Redis
 * with its default engine; several instances against one Redis sell each seat once.
 */
@SpringBootApplication
public class BootDefaultApplication {

	public static void main(String[] args) {
		SpringApplication.run(BootDefaultApplication.class, args);
	}

}
