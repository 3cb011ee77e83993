
gen-contact-chaser-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericr*"(
T1001buyer-77ä»€ä¹ˆæ—¶å€™å‘è´§ï¼Ÿ