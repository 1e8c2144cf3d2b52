package paligemma4j.kernels.tornado;

/**
 * How often the tower graphs of one {@link TornadoOps} ran: vision forwards, decoder prefills and
 * decode steps. Lets a caller (the tests) prove that the model took the device-resident route.
 */
public final class TowerRuns {

    private int visionForwards, prefills, decodeSteps;

    /** Vision tower graph executions (one per image). */
    public int visionForwards() {
        return visionForwards;
    }

    /** Decoder graph prefills. */
    public int prefills() {
        return prefills;
    }

    /** Decoder graph single-token steps. */
    public int decodeSteps() {
        return decodeSteps;
    }

    void vision() {
        visionForwards++;
    }

    void prefill() {
        prefills++;
    }

    void decode() {
        decodeSteps++;
    }

    @Override
    public String toString() {
        return "vision " + visionForwards + ", prefill " + prefills + ", decode " + decodeSteps;
    }
}
