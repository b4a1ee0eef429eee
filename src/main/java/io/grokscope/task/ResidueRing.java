package io.grokscope.task;

/**
 * Arithmetic in the ring of integers modulo {@code modulus}; a field exactly when the modulus is prime.
 *
 * <p>Operands may be any {@code int}: they are reduced first, and every intermediate product is formed in
 * {@code long}, where the product of two residues below 2^31 cannot overflow. Results are always in
 * {@code 0..modulus-1}.
 *
 * @param modulus the modulus, at least 2
 */
public record ResidueRing(int modulus) {

    public ResidueRing {
        if (modulus < 2) {
            throw new IllegalArgumentException("modulus must be >= 2, was " + modulus);
        }
    }

    /** Whether the modulus is prime, so that every non-zero residue has an inverse. */
    public boolean isField() {
        return isPrime(modulus);
    }

    public int reduce(long value) {
        return (int) Math.floorMod(value, (long) modulus);
    }

    public int add(int a, int b) {
        return reduce((long) a + b);
    }

    public int subtract(int a, int b) {
        return reduce((long) a - b);
    }

    public int negate(int a) {
        return reduce(-(long) a);
    }

    public int multiply(int a, int b) {
        return reduce((long) a * b);
    }

    /** {@code base^exponent} by repeated squaring; {@code 0^0 = 1}, as in Python and {@link Math#pow}. */
    public int power(int base, int exponent) {
        if (exponent < 0) {
            throw new IllegalArgumentException("exponent must be >= 0, was " + exponent);
        }
        long result = 1;
        long square = reduce(base);
        for (int e = exponent; e > 0; e >>= 1) {
            if ((e & 1) == 1) {
                result = result * square % modulus;
            }
            square = square * square % modulus;
        }
        return (int) result;
    }

    /**
     * The multiplicative inverse, by the extended Euclidean algorithm (so it also serves units of a composite
     * modulus).
     *
     * @throws ArithmeticException if {@code a} shares a factor with the modulus (in particular if it is 0)
     */
    public int inverse(int a) {
        // Invariant: oldR = oldS * a (mod modulus) and r = s * a (mod modulus).
        long oldR = reduce(a);
        long r = modulus;
        long oldS = 1;
        long s = 0;
        while (r != 0) {
            long quotient = oldR / r;
            long nextR = oldR - quotient * r;
            oldR = r;
            r = nextR;
            long nextS = oldS - quotient * s;
            oldS = s;
            s = nextS;
        }
        if (oldR != 1) {
            throw new ArithmeticException(a + " has no inverse modulo " + modulus);
        }
        return reduce(oldS);
    }

    /**
     * {@code a * b^-1}.
     *
     * @throws ArithmeticException if {@code b} has no inverse
     */
    public int divide(int a, int b) {
        return multiply(a, inverse(b));
    }

    /** Primality by trial division: exact, and instant for the moduli a task can have. */
    public static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (long d = 2; d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
