package dev.automutex.sample.web;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The seeds' examples over HTTP. Run it, then try README's curl commands.
 */
@SpringBootApplication
public class WebSampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(WebSampleApplication.class, args);
	}

}
