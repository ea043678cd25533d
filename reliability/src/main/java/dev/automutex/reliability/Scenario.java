package dev.automutex.reliability;

/**
 * One scenario of the suite: sets up what it needs (a Redis server, worker processes),
 * causes its fault, and records each of its claims in the {@link Report}, with what it
 * measured.
 *
 * @since 0.1.0
 */
interface Scenario {

	/**
	 * Number of the scenario in issue 9's list, used in the table and by {@code --only}.
	 * @return the number
	 */
	int number();

	/**
	 * Short title for the table.
	 * @return the title
	 */
	String title();

	/**
	 * Run the scenario and record its checks. An exception fails the scenario with its
	 * message.
	 * @param options the suite's options (quick mode, how to start workers)
	 * @param report where checks are recorded
	 * @throws Exception on a failure the scenario did not expect
	 */
	void run(SuiteOptions options, Report report) throws Exception;

}
