package dev.automutex.sample;

import dev.automutex.annotation.AutoMutex;

import org.springframework.stereotype.Component;

/**
 * redis-mutex's {@code auto_mutex :run, block: 0, after_failure: ...}: one run of the job
 * at a time, whatever the arguments; a second run while one is going returns what the
 * {@code reportBusy} handler says.
 */
@Component
public class ReportJob {

	@AutoMutex(block = "0s", afterFailure = "reportBusy")
	public String run(String month) {
		Work.simulate();
		return "report for " + month + " done";
	}

}
