"""The Klantinteracties API 0.9 (the successor of the Klanten and Contactmomenten APIs)."""
