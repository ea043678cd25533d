package dev.automutex.sample.redis;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * AutoMutex on Redis: start two or more of these at once against one Redis and they never
 * sell the same ticket twice.
 */
@SpringBootApplication
public class RedisSampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(RedisSampleApplication.class, args);
	}

}
