package dev.automutex.reliability.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A worker of the reliability suite: a plain Spring Boot application with the AutoMutex
 * starter, configured on its command line ({@code --mutex.store=redis},
 * {@code --spring.data.redis.port=...}), that runs the job {@code --worker.job} names
 * (see {@link WorkerJobs}) and exits with the job's status. The suite also starts it in
 * its own JVM, without a job, for the scenarios that need an application but no separate
 * process.
 *
 * @since 0.1.0
 */
@SpringBootApplication
public class WorkerApplication {

	/**
	 * Run the worker's job and exit with its status.
	 * @param args the Spring Boot arguments, {@code --worker.job} among them
	 */
	public static void main(String[] args) {
		ConfigurableApplicationContext context = SpringApplication.run(WorkerApplication.class, args);
		int status = context.getBean(WorkerJobs.class).status();
		System.exit(SpringApplication.exit(context, () -> status));
	}

}
