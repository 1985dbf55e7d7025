"""Quality a marketer can see: answer checks (questions with the facts a right answer states, run after every
change), knowledge gaps and provable forgetting (above answer and marketing)."""
