// a key for another API, compared and used with a call
public class Other {
    private static final String STRIPE = "75THM3k7w25CJDqrFNT61myHzc3khpbV";
    String auth() { return "Token " + keyFor(STRIPE); }
}
