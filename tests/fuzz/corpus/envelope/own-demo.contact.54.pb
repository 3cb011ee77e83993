
gen-contact-case_update-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericr624
V3001T1001agent-li(2ä¹°å®¶æ‹’ç»ä¿®æ”¹è¯„ä»·