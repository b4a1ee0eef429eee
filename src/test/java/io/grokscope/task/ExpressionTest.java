package io.grokscope.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpressionTest {

    private static final ResidueRing Z7 = new ResidueRing(7);

    private static int valueMod7(String expression, int a, int b) {
        return Expression.parse(expression).evaluate(a, b, Z7);
    }

    private static ExpressionSyntaxException syntaxError(String expression) {
        try {
            Expression.parse(expression);
        } catch (ExpressionSyntaxException e) {
            return e;
        }
        throw new AssertionError("expected a syntax error for: " + expression);
    }

    // Precedence

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a+b*2           | (a + (b * 2))",
        "-a^2            | (-(a^2))",
        "(a+b)^2         | ((a + b)^2)",
        "a-b-1           | ((a - b) - 1)",
        "a/b*2           | ((a / b) * 2)",
        "a*-b            | (a * (-b))",
        "--a             | (-(-a))",
        "a % 3 + p       | ((a % 3) + p)",
        "  a\t*  ( b )   | (a * b)",
    })
    void parsesToTheConventionalTree(String expression, String tree) {
        assertThat(Expression.parse(expression)).hasToString(tree);
    }

    @Test
    void evaluatesWithConventionalPrecedence() {
        // a = 3, b = 5 mod 7, worked by hand.
        assertThat(valueMod7("a+b*2", 3, 5)).isEqualTo(13 % 7);
        assertThat(valueMod7("-a^2", 3, 5)).isEqualTo(5);           // -9 ≡ 5, whereas (-3)^2 ≡ 2
        assertThat(valueMod7("(-a)^2", 3, 5)).isEqualTo(2);
        assertThat(valueMod7("(a+b)^2", 3, 5)).isEqualTo(64 % 7);
        assertThat(valueMod7("a-b-1", 3, 5)).isEqualTo(4);          // -3 ≡ 4; a-(b-1) would be 6
    }

    // Semantics

    @Test
    void divisionIsMultiplicationByTheInverse() {
        assertThat(valueMod7("a/b", 3, 5)).isEqualTo(2);            // 5·2 = 10 ≡ 3
        assertThat(valueMod7("1/b", 0, 3)).isEqualTo(5);            // 3·5 = 15 ≡ 1
    }

    @Test
    void zeroDivisorAndZeroRemainderAreUndefinedAndPropagate() {
        assertThat(valueMod7("a/b", 3, 0)).isEqualTo(Expression.UNDEFINED);
        assertThat(valueMod7("a/(b-b) + 1", 3, 4)).isEqualTo(Expression.UNDEFINED);
        assertThat(valueMod7("-(a % b)", 3, 0)).isEqualTo(Expression.UNDEFINED);
        assertThat(valueMod7("(a/b)^2", 3, 0)).isEqualTo(Expression.UNDEFINED);
    }

    @Test
    void remainderActsOnResidues() {
        assertThat(valueMod7("a % b", 6, 4)).isEqualTo(2);
        assertThat(valueMod7("(a - 1) % 5", 0, 0)).isEqualTo(1);   // a-1 ≡ 6, 6 % 5 = 1
    }

    @Test
    void literalsAndPAreReducedModP() {
        assertThat(valueMod7("p", 0, 0)).isZero();
        assertThat(valueMod7("p - 1", 0, 0)).isEqualTo(6);
        assertThat(valueMod7("100", 0, 0)).isEqualTo(2);
        assertThat(valueMod7("999999999999999999", 0, 0)).isEqualTo((int) (999999999999999999L % 7));
    }

    @Test
    void largeExponentsUseModularPowers() {
        // Fermat: 3^6 ≡ 1 mod 7, so 3^1000 = 3^(6·166 + 4) ≡ 3^4 = 81 ≡ 4.
        assertThat(valueMod7("a^1000", 3, 0)).isEqualTo(4);
        assertThat(valueMod7("a^0", 0, 0)).isEqualTo(1);
    }

    @Test
    void divisionIsDetected() {
        assertThat(Expression.parse("a + b*2").divides()).isFalse();
        assertThat(Expression.parse("-(a^2 + 1/b)").divides()).isTrue();
    }

    // Syntax errors

    @Test
    void unclosedParenthesisIsReportedWhereTheCloseWasExpected() {
        ExpressionSyntaxException e = syntaxError("(a+b");
        assertThat(e.position()).isEqualTo(4);
        assertThat(e.getMessage()).contains("expected ')'", "position 0", "end of the expression");
    }

    @Test
    void unmatchedCloseParenthesis() {
        ExpressionSyntaxException e = syntaxError("a+b)");
        assertThat(e.position()).isEqualTo(3);
        assertThat(e.reason()).contains("')' without a matching '('");
    }

    @Test
    void unknownIdentifier() {
        ExpressionSyntaxException e = syntaxError("a + c");
        assertThat(e.position()).isEqualTo(4);
        assertThat(e.getMessage()).isEqualTo(
                "position 4: unknown identifier 'c'; the names are a, b and p (write a*b for a product)");
        assertThat(syntaxError("ab").reason()).contains("'ab'");
        assertThat(syntaxError("A").reason()).contains("'A'");
    }

    @Test
    void exponentMustBeALiteral() {
        ExpressionSyntaxException e = syntaxError("a^b");
        assertThat(e.position()).isEqualTo(2);
        assertThat(e.reason()).contains("exponent", "literal", "'b'");
        assertThat(syntaxError("a^-1").position()).isEqualTo(2);
        assertThat(syntaxError("a^(2)").position()).isEqualTo(2);
    }

    @Test
    void exponentIsLimited() {
        Expression.parse("a^1000");
        ExpressionSyntaxException e = syntaxError("a + b^1001");
        assertThat(e.position()).isEqualTo(6);
        assertThat(e.reason()).contains("1001", "1000");
        assertThat(syntaxError("a^99999999999999999999").reason()).contains("99999999999999999999");
    }

    @Test
    void chainedPowersAreAmbiguous() {
        assertThat(syntaxError("a^2^3").position()).isEqualTo(3);
        assertThat(Expression.parse("(a^2)^3")).hasToString("((a^2)^3)");
    }

    @Test
    void lengthIsLimitedTo200Characters() {
        String longest = "a" + "+a".repeat(99) + " ";
        assertThat(longest).hasSize(200);
        Expression.parse(longest);
        ExpressionSyntaxException e = syntaxError(longest + "1");
        assertThat(e.position()).isEqualTo(200);
        assertThat(e.reason()).contains("201", "200");
    }

    @Test
    void nestingIsLimitedTo32Levels() {
        Expression.parse("(".repeat(32) + "a" + ")".repeat(32));
        ExpressionSyntaxException e = syntaxError("(".repeat(33) + "a" + ")".repeat(33));
        assertThat(e.position()).isEqualTo(32);
        assertThat(e.reason()).contains("32");
        assertThat(syntaxError("-".repeat(33) + "a").position()).isEqualTo(32);
        assertThat(syntaxError("-(".repeat(17) + "a" + ")".repeat(17)).position()).isEqualTo(32);
    }

    @Test
    void emptyOrBlank() {
        assertThat(syntaxError("").reason()).isEqualTo("expression is empty");
        assertThat(syntaxError("   ").position()).isEqualTo(3);
    }

    @Test
    void missingOperandsAndOperators() {
        assertThat(syntaxError("a +").position()).isEqualTo(3);
        assertThat(syntaxError("a + * b").position()).isEqualTo(4);
        assertThat(syntaxError("+a").position()).isZero();
        assertThat(syntaxError("()").position()).isEqualTo(1);
        ExpressionSyntaxException implicitProduct = syntaxError("2a");
        assertThat(implicitProduct.position()).isEqualTo(1);
        assertThat(implicitProduct.reason()).contains("expected an operator");
    }

    @Test
    void foreignCharactersAndOverlongLiterals() {
        assertThat(syntaxError("a & b").position()).isEqualTo(2);
        assertThat(syntaxError("a\0").position()).isEqualTo(1);
        assertThat(syntaxError("a.5").position()).isEqualTo(1);
        assertThat(syntaxError("a + 1234567890123456789").reason()).contains("18 digits");
    }

    @Test
    void isAnIllegalArgumentException() {
        assertThatThrownBy(() -> Expression.parse("a +")).isInstanceOf(IllegalArgumentException.class);
    }
}
