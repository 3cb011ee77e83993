
gen-contact-sms_reply-0001tb-demo€ºÕÂœ4 €ØÁ¢Œ4*genericr
13800138000TD