"""present: numbers and words for people: rounding towards the worse side, wording, sanitised
Markdown, JSON documents, the feed and charts. Nothing here computes a credit."""
